"""THE_BOT's backend stand-in: Django's manage.py (the chart runs "python manage.py ...")."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thebot.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
