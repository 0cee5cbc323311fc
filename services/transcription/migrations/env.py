from intervu_kit.migrations import run_env
from intervu_transcription.config import get_settings
from intervu_transcription.models import Base

run_env(Base.metadata, get_settings())
