from django.contrib import admin

from .models import SignatoryMinimum


@admin.register(SignatoryMinimum)
class SignatoryMinimumAdmin(admin.ModelAdmin):
    """The least joint signatories of a 质询 per level: data an administrator keeps (oversight.md)."""

    list_display = ["level", "minimum", "basis"]
