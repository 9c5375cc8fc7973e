from django import template

from core.dashboard import panels_for

register = template.Library()


@register.inclusion_tag("admin/includes/_dashboard.html", takes_context=True)
def dashboard_panels(context):
    request = context.get("request")
    return {"panels": panels_for(request.user) if request is not None else []}
