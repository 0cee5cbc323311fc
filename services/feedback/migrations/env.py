from intervu_feedback.config import get_settings
from intervu_feedback.models import Base
from intervu_kit.migrations import run_env

run_env(Base.metadata, get_settings())
