from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "plexus_office.platform"
    label = "platform"
    verbose_name = "Platform: notifications, queues, payments"
