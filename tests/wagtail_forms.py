"""Builds the POST data the Wagtail page editor sends for a StreamField.

The editor draws StreamFields in JavaScript, so their fields are not in the page's
HTML for `querydict_from_html` to find; this walks the block definitions instead."""

from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.test.utils.form_data import querydict_from_html, rich_text


def stream_form_data(stream_value, prefix: str) -> dict[str, str]:
    """Form data for a whole StreamField value, as the editor would post it unchanged."""
    data: dict[str, str] = {f"{prefix}-count": str(len(stream_value))}
    for index, child in enumerate(stream_value):
        item = f"{prefix}-{index}"
        data |= {f"{item}-type": child.block_type, f"{item}-id": child.id or "",
                 f"{item}-order": str(index), f"{item}-deleted": ""}
        data |= _block_data(child.block, child.value, f"{item}-value")
    return data


def _block_data(block, value, prefix: str) -> dict[str, str]:
    if isinstance(block, blocks.StructBlock):
        data = {}
        for name, child_block in block.child_blocks.items():
            data |= _block_data(child_block, value[name], f"{prefix}-{name}")
        return data
    if isinstance(block, blocks.ListBlock):
        data = {f"{prefix}-count": str(len(value))}
        for index, child in enumerate(value.bound_blocks):
            data |= {f"{prefix}-{index}-id": child.id or "", f"{prefix}-{index}-order": str(index),
                     f"{prefix}-{index}-deleted": ""}
            data |= _block_data(block.child_block, child.value, f"{prefix}-{index}-value")
        return data
    if isinstance(block, blocks.RichTextBlock):
        return {prefix: rich_text(value.source, features=block.features)}
    if isinstance(block, blocks.BooleanBlock):
        return {prefix: "on"} if value else {}
    if isinstance(block, blocks.ChooserBlock):
        return {prefix: str(value.pk) if value else ""}
    return {prefix: "" if value is None else str(value)}


def as_posted(form) -> dict:
    """A QueryDict as the test client should post it: a field with several values (ticked
    checkboxes, a multiple select) as a list, posted as the browser does; the client
    posts a QueryDict with its last value only (its items() gives one per key)."""
    return {key: values if len(values := form.getlist(key)) > 1 else values[0]
            for key in form}


def edit_form(client, page) -> dict:
    """The editor's form as a trainer would post it, with nothing changed (as_posted)."""
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    data = as_posted(querydict_from_html(response.content.decode(), form_id="page-edit-form"))
    page = page.specific
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            data.update(stream_form_data(getattr(page, field.name), field.name))
    return data
