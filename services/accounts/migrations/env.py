from intervu_accounts.config import get_settings
from intervu_accounts.models import Base
from intervu_kit.migrations import run_env

run_env(Base.metadata, get_settings())
