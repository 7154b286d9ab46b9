"""Account forms, in GOV.UK wording: say what is wrong and how to fix it."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from learners.models import Grade, Organisation, Profession, User


class OrganisationChoiceField(forms.ModelChoiceField):
    """Shows the tree: each level indented under its parent."""

    def label_from_instance(self, obj):
        return "\u2003" * (obj.depth - 1) + obj.name


class ProfileForm(forms.ModelForm):
    first_name = forms.CharField(
        label="First name", max_length=150,
        error_messages={"required": "Enter your first name"},
    )
    last_name = forms.CharField(
        label="Last name", max_length=150,
        error_messages={"required": "Enter your last name"},
    )
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.all(), label="Organisation",
        help_text="The team or part of your department you work in.",
        empty_label="Choose an organisation",
        error_messages={"required": "Select your organisation"},
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
        fields = ["first_name", "last_name", "organisation", "grade", "profession"]


class SignUpForm(ProfileForm):
    email = forms.EmailField(
        label="Work email address", max_length=254,
        help_text="You will use this to sign in.",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    password1 = forms.CharField(
        label="Create a password", strip=False, widget=forms.PasswordInput,
        help_text="At least 10 characters. Avoid common words and passwords you use elsewhere.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm password", strip=False, widget=forms.PasswordInput,
        error_messages={"required": "Confirm your password"},
    )

    field_order = ["first_name", "last_name", "email", "organisation", "grade", "profession",
                   "password1", "password2"]

    class Meta(ProfileForm.Meta):
        fields = ["first_name", "last_name", "email", "organisation", "grade", "profession"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. Sign in instead."
            )
        return email

    def clean(self):
        cleaned = super().clean()
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
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


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
