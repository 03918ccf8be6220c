from pipelines.contracts_doc import DOC_PATH, render


def test_the_committed_data_contracts_doc_matches_the_contracts():
    assert DOC_PATH.read_text(encoding="utf-8") == render(), "run: python -m pipelines.contracts_doc"


def test_the_doc_names_every_reason_and_source():
    text = render()
    for word in ("`duplicate_key`", "`missing_columns`", "### `hp_claims` (health_plan)", "`+1XXXXXXXXXX`"):
        assert word in text
