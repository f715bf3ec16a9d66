"""Pages of participant accounts: sign up, verify, sign in and out, reset, profile.

Sign-in, sign-out and password reset are Django's own views with our
templates; django-axes locks an account out after repeated failures.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from clearinghouse.core.accounts import is_verified
from clearinghouse.core.ratelimit import over_limit, too_many_requests

from . import services
from .forms import ProfileForm, SignupForm
from .tokens import email_verification_token

_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    if request.method == "POST":
        if over_limit(request, "signup"):
            return too_many_requests(request)
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.participant_signup(
                    username=data["username"],
                    email=data["email"],
                    password=data["password1"],
                    stakeholder_group=data["stakeholder_group"],
                    country=data["country"],
                    organization=data["organization"],
                    show_name=data["show_name"],
                    base_url=_base_url(request),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        target = field if field in form.fields else None
                        if field == "password":
                            target = "password1"
                        form.add_error(target, errors)
                else:
                    form.add_error("password1", error)
            else:
                login(request, user, backend=_BACKEND)
                return redirect("accounts:verify-sent")
        status = 400
    else:
        form = SignupForm()
        status = 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@require_safe
def verify_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/verify_sent.html")


@require_safe
def verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not email_verification_token.check_token(user, token):
        return render(request, "accounts/verify_failed.html", status=400)
    services.email_verify(user=user)
    messages.success(request, _("Your e-mail address is confirmed: you can take part."))
    return redirect("accounts:profile")


@require_POST
@login_required(login_url=reverse_lazy("accounts:login"))
def verify_resend(request: HttpRequest) -> HttpResponse:
    if over_limit(request, "signup"):
        return too_many_requests(request)
    if not is_verified(request.user):
        services.verification_send(user=request.user, base_url=_base_url(request))
    return redirect("accounts:verify-sent")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required(login_url=reverse_lazy("accounts:login"))
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = getattr(user, "profile", None)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(user=user, **form.cleaned_data)
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
        status = 400
    else:
        form = ProfileForm(
            initial={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "stakeholder_group": current.stakeholder_group if current else "",
                "country": current.country_id if current else None,
                "organization": current.organization if current else "",
                "show_name": current.show_name if current else False,
            }
        )
        status = 200
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "verified": is_verified(user)},
        status=status,
    )


class _FormMethodsOnly:
    """GET and POST only, refused before anything else (Django's views would
    redirect a signed-in user or read a reset link first, whatever the method)."""

    http_method_names = ["get", "head", "post", "options"]

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class LoginView(_FormMethodsOnly, auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("consultations:list")


class PasswordResetView(_FormMethodsOnly, auth_views.PasswordResetView):
    template_name = "accounts/form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Reset your password")
        context["button"] = _("Send me a link")
        return context


class PasswordResetDoneView(_FormMethodsOnly, auth_views.PasswordResetDoneView):
    template_name = "accounts/message.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Check your e-mail")
        context["message"] = _(
            "If an account uses that address, we have sent it a link to choose "
            "a new password."
        )
        return context


class PasswordResetConfirmView(_FormMethodsOnly, auth_views.PasswordResetConfirmView):
    template_name = "accounts/form.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Choose a new password")
        context["button"] = _("Save the new password")
        if not context.get("validlink"):
            context["message"] = _(
                "This link is invalid or has been used. Ask for a new one."
            )
        return context


class PasswordResetCompleteView(_FormMethodsOnly, auth_views.PasswordResetCompleteView):
    template_name = "accounts/message.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Password changed")
        context["message"] = _("Your password is changed. You can sign in.")
        return context
