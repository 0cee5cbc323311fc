from intervu_kit.migrations import run_env

from intervu_interviews.config import get_settings
from intervu_interviews.models import Base

run_env(Base.metadata, get_settings())
