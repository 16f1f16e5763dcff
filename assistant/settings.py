"""One settings object, read from the environment (prefix ``MEDCODE_``) and an optional ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDCODE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Catalog, lexical index and vector store.")
    corpus_dir: Path | None = Field(
        None, description="Folder of official files the user downloaded."
    )
    embed_model: Path | None = Field(None, description="Local sentence-transformers model folder.")
    embedder: Literal["minilm", "hash"] = Field(
        "minilm", description="'hash' is a meaningless test double for fast tests, never for use."
    )
    embed_batch_size: int = 64
    embed_runtime: Literal["onnx", "torch"] = Field(
        "onnx", description="'onnx' runs the same model with ONNX Runtime: same vectors, faster."
    )
    collection: str = "passages"
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint; unset: no LLM")
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_timeout: float = 20.0
    llm_max_tokens: int = 600
    note_llm: bool = Field(
        True,
        description="send clinical notes to the configured LLM endpoint to help code them; "
        "false keeps note coding extractive (notes never leave the server)",
    )
    api_keys: list[str] = Field(default_factory=list, description="Unset: no key needed.")
    cors_origins: list[str] = Field(default_factory=list, description="Sites that may embed.")
    rate_limit_per_minute: int = 120
    max_body_bytes: int = 65536
    max_message_chars: int = 4000
    max_messages: int = 40
    debug: bool = Field(False, description="Log request bodies (they may hold patient data).")
    timezone: str = Field(
        "UTC", description="The server's time zone: 'today' for dates of service (IANA name)."
    )
    vectors: Literal["chroma", "memory"] = Field(
        "chroma", description="'memory': vectors held by this process only (tests, trials)."
    )
    build: Literal["missing", "off"] = Field(
        "missing",
        description="'missing': `medcode serve` builds the default sources in the background "
        "when there is no index, and finishes a build that stopped; 'off': it never ingests",
    )
    build_paths: list[Path] = Field(
        default_factory=list, description="Files `medcode serve` loads in the background."
    )
    chroma_host: str | None = None
    chroma_port: int = 8001

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
