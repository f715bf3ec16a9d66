"""Forms of the library: a document's details, an upload, a review, a saved search."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.filters import region_choices
from clearinghouse.core.models import Country, Region
from clearinghouse.events.models import Event
from clearinghouse.taxonomy.models import Issue

from .models import AUTHOR_MAX, AUTHORS_MAX, SUMMARY_MAX, TITLE_MAX, DocumentType
from .text import canonical_url, parse_date


class UploadForm(forms.Form):
    """A file whose text is read and shown for correction before anything is saved."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx), HTML or plain text (.txt)."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, Word (.docx), HTML or plain text (.txt); at most %(limit)s."
        ) % {"limit": filesizeformat(settings.LIBRARY_MAX_UPLOAD_BYTES)}


class DocumentForm(forms.Form):
    """A document's details, as a submitter or the secretariat gives them."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    authors = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line."),
    )
    date = forms.CharField(
        label=_("Date"),
        required=False,
        max_length=10,
        help_text=_("A year (2004), a month (2004-03) or a day (2004-03-25)."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Unknown"))] + list(settings.LANGUAGES),
        help_text=_("Detected from the text; correct it if it is wrong."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    body = forms.CharField(
        label=_("Full text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Extracted from the file: correct it before saving."),
    )
    issues = forms.ModelMultipleChoiceField(
        label=_("Issues"),
        required=False,
        queryset=Issue.objects.with_area(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ticked issues were suggested from the text; a curator confirms."),
    )
    institutions = forms.ModelMultipleChoiceField(
        label=_("Publishing institutions"),
        required=False,
        queryset=Institution.objects.order_by("name"),
    )
    jurisdiction_country = forms.ModelChoiceField(
        label=_("Jurisdiction (country or area)"),
        required=False,
        queryset=Country.objects.order_by("name"),
    )
    jurisdiction_region = forms.ChoiceField(
        label=_("Jurisdiction (region)"), required=False
    )
    events = forms.ModelMultipleChoiceField(
        label=_("Presented at"),
        required=False,
        queryset=Event.objects.order_by("-start", "pk"),
    )
    url = forms.URLField(label=_("Web address"), required=False, max_length=1000)
    identifier = forms.CharField(
        label=_("Identifier"),
        required=False,
        max_length=300,
        help_text=_("A DOI, a handle or a UN document symbol."),
    )
    licence = forms.CharField(label=_("Licence"), required=False, max_length=300)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction_region"].choices = [("", "—")] + region_choices()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if len(body) > settings.LIBRARY_MAX_BODY_CHARS:
            raise forms.ValidationError(
                _("The text is longer than %(limit)s characters."),
                params={"limit": settings.LIBRARY_MAX_BODY_CHARS},
            )
        return body

    def clean_authors(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["authors"].splitlines()]
        names = [name for name in names if name]
        if len(names) > AUTHORS_MAX or any(len(n) > AUTHOR_MAX for n in names):
            raise forms.ValidationError(
                _("At most %(count)s authors of %(length)s characters each."),
                params={"count": AUTHORS_MAX, "length": AUTHOR_MAX},
            )
        return names

    def clean_date(self) -> tuple:
        text = self.cleaned_data["date"].strip()
        if not text:
            return (None, "day")
        when, precision = parse_date(text)
        if when is None or len(text) not in (4, 7, 10):
            raise forms.ValidationError(
                _("Give a year (2004), a month (2004-03) or a day (2004-03-25).")
            )
        return (when, precision)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url and not canonical_url(url):
            raise forms.ValidationError(_("Give an http or https address."))
        return url

    def clean_jurisdiction_region(self):
        code = self.cleaned_data["jurisdiction_region"]
        return Region.objects.filter(pk=code).first() if code else None

    def clean(self):
        data = super().clean()
        if data.get("jurisdiction_country") and data.get("jurisdiction_region"):
            raise forms.ValidationError(
                _("Give the jurisdiction as a country or a region, not both.")
            )
        return data

    def values(self) -> dict:
        """The document's own fields, for the services."""
        data = self.cleaned_data
        when, precision = data["date"]
        return {
            "title": data["title"],
            "doc_type": data["doc_type"],
            "authors": data["authors"],
            "date": when,
            "date_precision": precision,
            "language": data["language"],
            "summary": data["summary"],
            "body": data["body"],
            "jurisdiction_country": data["jurisdiction_country"],
            "jurisdiction_region": data["jurisdiction_region"],
            "url": data["url"],
            "identifier": data["identifier"],
            "licence": data["licence"],
        }

    def relations(self) -> dict:
        data = self.cleaned_data
        return {
            "issue_ids": [issue.pk for issue in data["issues"]],
            "institution_ids": [inst.pk for inst in data["institutions"]],
            "event_ids": [event.pk for event in data["events"]],
        }


class ReviewForm(forms.Form):
    """The secretariat's decision on a submission."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish")), ("return", _("Send back to its author"))],
        widget=forms.RadioSelect,
    )
    issues = forms.ModelMultipleChoiceField(
        label=_("Confirmed issues"),
        required=False,
        queryset=Issue.objects.with_area(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note to the author"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SavedSearchForm(forms.Form):
    """A name for the current search."""

    name = forms.CharField(label=_("Name of the saved search"), max_length=200)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
