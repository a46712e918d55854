from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "innobridge.review"
    verbose_name = _("专家评审")
