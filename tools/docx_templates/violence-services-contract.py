"""First DOCX template of `violence-services-contract` v1 (kk and ru), read from its HTML templates."""
from docx_templates._contract import build as build_contract


def build(lang: str):
    return build_contract("violence-services-contract", lang)
