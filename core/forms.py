from __future__ import annotations

from django import forms

from .errors import DomainError


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's field errors beside the form's fields (others at the top of the form)."""
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for field, messages in exc.fields.items():
        messages = messages if isinstance(messages, list | tuple) else [messages]
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, str(message))
