from intervu_kit.migrations import run_env
from intervu_media.config import get_settings
from intervu_media.models import Base

run_env(Base.metadata, get_settings())
