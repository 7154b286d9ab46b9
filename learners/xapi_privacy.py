"""xAPI in the learner's data export and in erasure, as a provider (learners.privacy):
the name the learner has in the learning record store, and the statements about them
in the outbox, sent or waiting.

Erasure deletes both. The statements the LRS already holds name the learner only by that
random account name, so once the academy's row linking it to them is gone, nobody can
tell whose they are (xAPI has no deletion; voiding keeps the statement)."""

from learners.models import User, XapiActor, XapiStatement
from learners.privacy import PrivacyProvider
from learners.privacy_tables import ERASED, NO_PERSONAL_DATA, Handling


def _iso(value):
    return value.isoformat() if value else None


def xapi_data_export(user: User) -> dict:
    """The learner's LRS account name and every statement about them in the outbox."""
    actor = XapiActor.objects.filter(user=user).first()
    statements = XapiStatement.objects.filter(user=user).order_by("created_at", "id")
    return {"learning_record_store": {
        "account_name": str(actor.account_name) if actor else None,
        "statements": [{
            "id": str(s.id), "verb": s.verb,
            "about": s.statement["object"].get("definition", {}).get("name", {}).get("en-GB"),
            "at": s.statement["timestamp"], "sent_at": _iso(s.delivered_at),
            "statement": s.statement,
        } for s in statements],
    }}


def xapi_data_erase(user: User) -> None:
    """Statements not yet sent are never sent, and the link between the learner and
    their LRS account name is deleted."""
    XapiStatement.objects.filter(user=user).delete()
    XapiActor.objects.filter(user=user).delete()


COVERAGE = {
    "learners.XapiActor": ("exported (your account name in the learning record store)",
                           "deleted: what the LRS holds is then linked to no one"),
    "learners.XapiStatement": ("exported (every statement about you, sent or waiting)",
                               "deleted: waiting statements are never sent"),
}
TABLES: dict[str, Handling] = {
    "learners.XapiActor": Handling(ERASED, "deleted with the person"),
    "learners.XapiStatement": Handling(ERASED, "deleted with the person"),
    "learners.LrsSettings": Handling(NO_PERSONAL_DATA, "site configuration set by admins: "
                                     "the LRS's address and credentials"),
}
PROVIDER = PrivacyProvider(app_label="learners.xapi", coverage=COVERAGE, tables=TABLES,
                           export=xapi_data_export, erase=xapi_data_erase)
