from intervu_kit.migrations import run_env

from intervu_avatar.config import get_settings
from intervu_avatar.models import Base

run_env(Base.metadata, get_settings())
