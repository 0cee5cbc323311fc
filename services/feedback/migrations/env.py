from intervu_kit.migrations import run_env

from intervu_feedback.config import get_settings
from intervu_feedback.models import Base

run_env(Base.metadata, get_settings())
