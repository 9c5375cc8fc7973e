from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import WEEKDAYS
from .models import MARKET_OPERATOR_FIELDS, Facility, Market


class OperatorMarketForm(forms.ModelForm):
    """What a market's own operator may change: hours, facilities and the public profile. Name, address,
    location and status are the county's."""

    open_days = forms.MultipleChoiceField(
        label=_("开放日"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    facilities = forms.ModelMultipleChoiceField(
        label=_("已具备设施"),
        queryset=Facility.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Market
        fields = [*MARKET_OPERATOR_FIELDS, "facilities"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "services": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.initial["open_days"] = list(self.instance.open_days)

    def clean_open_days(self):
        days = "".join(sorted(self.cleaned_data["open_days"]))
        if not days:
            raise forms.ValidationError(_("请至少选择一天。"))
        return days
