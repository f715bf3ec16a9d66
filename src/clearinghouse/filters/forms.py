"""Forms of the governance filters: an assessment, and the secretariat's edits
of a question or a rule (each edit writes a new version)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.models import StakeholderGroup
from clearinghouse.events.models import Event

from .models import Answer, MatrixCondition, Outcome, Question, Rule


class _Messages:
    def error_messages(self) -> list[str]:
        """Each error as one sentence that names the field it is about."""
        return [
            f"{self.fields[name].label}: {message}" if name in self.fields else message
            for name, messages in self.errors.items()
            for message in messages
        ]


class AssessmentForm(_Messages, forms.Form):
    """Every question of a version: an answer, a rationale and sources.

    The answer to the question pre-filled from the matrix starts as the
    matrix suggests; the assessor confirms or corrects it.
    """

    stakeholder_group = forms.ChoiceField(
        label=_("Your stakeholder group"),
        choices=[("", "—"), *StakeholderGroup.choices],
        required=False,
    )

    def __init__(
        self,
        *args,
        questions: list[Question],
        prefill: tuple[str, str] | None = None,
        secretariat: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            key = question.key
            self.fields[f"answer_{key}"] = forms.ChoiceField(
                label=_("%(order)s. %(text)s")
                % {"order": question.order, "text": question.text},
                choices=Answer.choices,
                widget=forms.RadioSelect,
                required=False,
                help_text=question.help,
            )
            self.fields[f"rationale_{key}"] = forms.CharField(
                label=_("Rationale for question %(order)s") % {"order": question.order},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"sources_{key}"] = forms.CharField(
                label=_("Sources for question %(order)s (web addresses, one a line)")
                % {"order": question.order},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
            if question.from_matrix and prefill and not self.is_bound:
                self.initial[f"answer_{key}"], self.initial[f"rationale_{key}"] = (
                    prefill
                )
        if secretariat:
            self.fields["on_behalf_of"] = forms.CharField(
                label=_("On behalf of the meeting"),
                required=False,
                max_length=300,
                help_text=_(
                    "Name the meeting whose position you record; leave empty to "
                    "assess in your own name."
                ),
            )
            self.fields["event"] = forms.IntegerField(
                label=_("The meeting's number in the compendium of events"),
                help_text=_("Optional: the number in the address of its event page."),
                required=False,
                min_value=1,
                max_value=2**31 - 1,
            )

    def clean_event(self) -> Event | None:
        """The event the number names, or a message."""
        number = self.cleaned_data.get("event")
        if number is None:
            return None
        event = Event.objects.filter(pk=number).first()
        if event is None:
            raise forms.ValidationError(
                _("There is no event number %(number)s.") % {"number": number}
            )
        return event

    def question_rows(self):
        """(question, answer field, rationale field, sources field) in order."""
        return [
            (
                question,
                self[f"answer_{question.key}"],
                self[f"rationale_{question.key}"],
                self[f"sources_{question.key}"],
            )
            for question in self.questions
        ]

    def answers(self) -> dict[str, dict]:
        """The answers as services.assessment_create() takes them."""
        data = self.cleaned_data
        return {
            q.key: {
                "value": data.get(f"answer_{q.key}") or "",
                "rationale": data.get(f"rationale_{q.key}") or "",
                "source_urls": [
                    line.strip()
                    for line in (data.get(f"sources_{q.key}") or "").splitlines()
                    if line.strip()
                ],
            }
            for q in self.questions
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Attach the service's problems to the fields of the questions they name."""
        for key, messages in errors.items():
            if key == "stakeholder_group":
                name = "stakeholder_group"
            elif f"answer_{key}" in self.fields:
                name = f"answer_{key}"
            else:
                name = None
            for message in messages:
                self.add_error(name, message)


def _language_fields(base: str, label, widget=None, required_en=True) -> dict:
    fields = {}
    for code, name in settings.LANGUAGES:
        suffix = code.replace("-", "_")
        fields[f"{base}_{suffix}"] = forms.CharField(
            label=f"{label} ({name})",
            required=required_en and suffix == "en",
            max_length=2000,
            widget=widget,
        )
    return fields


class _VersionNote(forms.Form):
    note = forms.CharField(
        label=_("What changed, and why"), max_length=500, required=True
    )


class QuestionEditForm(_Messages, _VersionNote):
    """A question's wording in each language; saving writes a new version."""

    def __init__(self, *args, question: Question, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_language_fields("text", _("Question")))
        self.fields.update(
            _language_fields(
                "help", _("Explanation"), forms.Textarea(attrs={"rows": 2}), False
            )
        )
        if not self.is_bound:
            for name in self.fields:
                if name != "note":
                    self.initial[name] = getattr(question, name) or ""

    def changes(self) -> dict:
        """The fields as filter_version_revise() takes them."""
        return {k: v for k, v in self.cleaned_data.items() if k != "note"}


class RuleEditForm(_Messages, _VersionNote):
    """A rule's outcome, conditions and explanation; saving writes a new version."""

    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=999)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    matrix_condition = forms.ChoiceField(
        label=_("Condition on the matrix"),
        choices=MatrixCondition.choices,
        required=False,
    )

    def __init__(self, *args, rule: Rule, questions: list[Question], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"when_{question.key}"] = forms.MultipleChoiceField(
                label=_("%(order)s. %(text)s")
                % {"order": question.order, "text": question.text},
                choices=Answer.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=_("Tick the answers that meet the rule; none: any answer."),
            )
        self.fields.update(
            _language_fields(
                "explanation",
                _("Explanation"),
                forms.Textarea(attrs={"rows": 2}),
                False,
            )
        )
        if not self.is_bound:
            self.initial.update(
                order=rule.order,
                outcome=rule.outcome,
                matrix_condition=rule.matrix_condition,
            )
            for question in questions:
                self.initial[f"when_{question.key}"] = rule.conditions.get(
                    question.key, []
                )
            for name in self.fields:
                if name.startswith("explanation_"):
                    self.initial[name] = getattr(rule, name) or ""

    def changes(self) -> dict:
        """The fields as filter_version_revise() takes them."""
        data = self.cleaned_data
        conditions = {
            q.key: [v for v in Answer.values if v in data[f"when_{q.key}"]]
            for q in self.questions
            if data.get(f"when_{q.key}")
        }
        changes = {
            "order": data["order"],
            "outcome": data["outcome"],
            "matrix_condition": data.get("matrix_condition") or "",
            "conditions": conditions,
        }
        changes.update({k: v for k, v in data.items() if k.startswith("explanation_")})
        return changes
