"""Reports pages: the indicator catalogue as a documentation page (public, no JavaScript)."""

from __future__ import annotations

from django.shortcuts import render

from .selectors import indicator_list


def indicators(request):
    return render(request, "reports/indicators.html", {"indicators": indicator_list()})
