"""Account forms, in GOV.UK wording: say what is wrong and how to fix it."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.db.models import Q, QuerySet
from django.utils import timezone

from learners.identity import email_normalise, validate_email_ascii
from learners.models import Grade, Organisation, Profession, SignUpDomain, User

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit, and the User model's


class AcademyEmailField(forms.EmailField):
    """An email address in its one spelling (learners.identity), checked after it is
    normalised: full-width letters become plain ones, a look-alike is refused."""

    default_validators = [*forms.EmailField.default_validators, validate_email_ascii]

    def to_python(self, value):
        return email_normalise(super().to_python(value))


class OrganisationChoiceField(forms.ModelChoiceField):
    """Shows the tree: each level indented under its parent."""

    def label_from_instance(self, obj):
        return "\u2003" * (obj.depth - 1) + obj.name


class ProfileForm(forms.ModelForm):
    """What a person changes about themselves. Not their organisation: it decides who
    may see their learning record (HR reporters of that organisation, its reports), so
    HR move people between teams (academy.managers, audited); the profile shows it
    read-only. Grade and profession only choose which required learning applies and how
    HR filter their own people; line manager and staff number are set by HR."""

    first_name = forms.CharField(
        label="First name", max_length=150,
        error_messages={"required": "Enter your first name"},
    )
    last_name = forms.CharField(
        label="Last name", max_length=150,
        error_messages={"required": "Enter your last name"},
    )
    grade = forms.ModelChoiceField(
        queryset=Grade.objects.all(), label="Grade", empty_label="Choose a grade",
        error_messages={"required": "Select your grade"},
    )
    profession = forms.ModelChoiceField(
        queryset=Profession.objects.all(), label="Profession",
        empty_label="Choose a profession",
        error_messages={"required": "Select your profession"},
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "grade", "profession"]


def sign_up_domain_for(email: str) -> SignUpDomain | None:
    """The allowed sign-up domain of an email address, if it has one."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return SignUpDomain.objects.select_related("organisation").filter(domain=domain).first()


def _organisations_under(organisations) -> QuerySet[Organisation]:
    paths = Q()
    for organisation in organisations:
        paths |= Q(path__startswith=organisation.path)
    return Organisation.objects.filter(paths) if paths else Organisation.objects.none()


class SignUpForm(ProfileForm):
    """Joining: the person chooses their organisation, once, within the part of the
    tree their email domain may join."""

    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.all(), label="Organisation",
        help_text="The team or part of your department you work in.",
        empty_label="Choose an organisation",
        error_messages={"required": "Select your organisation",
                        "invalid_choice": "Select your organisation from the list"},
    )
    email = AcademyEmailField(
        label="Work email address", max_length=254,
        help_text="You will use this to sign in.",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    password1 = forms.CharField(
        label="Create a password", strip=False, widget=forms.PasswordInput,
        help_text="At least 12 characters. Avoid common words and passwords you use elsewhere.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm password", strip=False, widget=forms.PasswordInput,
        error_messages={"required": "Confirm your password"},
    )

    field_order = ["first_name", "last_name", "email", "organisation", "grade", "profession",
                   "password1", "password2"]

    class Meta(ProfileForm.Meta):
        # Not "email": the model's unique checks would say that an address has an account.
        fields = ["first_name", "last_name", "organisation", "grade", "profession"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the teams some allowed email domain may join are offered.
        domains = list(SignUpDomain.objects.select_related("organisation"))
        self.fields["organisation"].queryset = _organisations_under(
            [d.organisation for d in domains])
        if domains:
            endings = " or ".join(f"@{d.domain}" for d in domains[:5])
            self.fields["email"].help_text = (f"Your work email address, ending in "
                                              f"{endings}. You will use it to sign in.")
        self.sign_up_domain = None
        self.existing_user = None

    def clean_email(self):
        """The address in its one spelling (learners.identity). An address that already
        has an account is not an error: the page would tell anyone who has an account
        (docs/security.md, "Identity"). The view emails its owner instead."""
        email = self.cleaned_data["email"]
        self.sign_up_domain = sign_up_domain_for(email)
        if self.sign_up_domain is None:
            raise forms.ValidationError(
                f"You cannot create an account with an email address ending in "
                f"@{email.rsplit('@', 1)[-1]}. Use your work email address, or ask your "
                "academy team to add you"
            )
        self.existing_user = User.objects.filter(email=email).first()
        return email

    def clean(self):
        cleaned = super().clean()
        organisation, domain = cleaned.get("organisation"), self.sign_up_domain
        if organisation and domain and not organisation.path.startswith(
                domain.organisation.path):
            self.add_error("organisation", (
                f"People whose email address ends in @{domain.domain} can only join "
                f"{domain.organisation.name} or a team in it"))
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match")
        elif password1:
            candidate = User(email=cleaned.get("email", ""),
                             first_name=cleaned.get("first_name", ""),
                             last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.email = self.cleaned_data["email"]
        user.set_password(self.cleaned_data["password1"])
        # Counts for nothing until the address is confirmed (learners.services.accounts).
        user.email_verified_at = None
        user.signed_up_at = timezone.now()
        if commit:
            user.save()
        return user


class AcademyPasswordResetForm(PasswordResetForm):
    """Django's, finding the account by the one spelling of its address."""

    email = AcademyEmailField(label="Email address", max_length=254)

    def get_users(self, email):
        return (user for user in User.objects.filter(email=email_normalise(email),
                                                     is_active=True)
                if user.has_usable_password())


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct email address and password. "
        "Both are case-sensitive except the email address.",
        "inactive": "This account has been closed. Contact your academy team.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # Django sets the field's max_length after building it, so without this validator
        # an over-long address reached authenticate() and django-axes' 255-character log.
        self.fields["username"].validators.append(MaxLengthValidator(
            EMAIL_MAX_LENGTH, "Email address must be 254 characters or fewer"))
