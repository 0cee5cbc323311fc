from intervu_kit.migrations import run_env
from intervu_notifications.config import get_settings
from intervu_notifications.models import Base

run_env(Base.metadata, get_settings())
