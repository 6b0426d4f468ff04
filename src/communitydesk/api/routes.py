"""REST API v1 (filled in by the API routers)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
