"""A local Apache Spark session (``local[2]``) and an Ibis backend on it, for the scale-out tests.

The session starts once per test process (the JVM takes seconds) and every Spark test is in the xdist group
``spark``, so one worker owns it. Tables built by hand in DuckDB are copied to Spark through Arrow, so a rule
runs on both backends from the same rows.
"""

from __future__ import annotations

import itertools
import os
import sys

import pytest

SPARK_GROUP = "spark"
_names = itertools.count()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/spark/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.xdist_group(SPARK_GROUP))


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    # Python workers (the cost-share engine) must run in this interpreter, which has pyarrow and the project:
    # Spark's local mode reads only the variable, not the spark.pyspark.python setting.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("portalytics-tests")
        # What ingest stores is naive UTC; the rules convert to the organisation's zone themselves.
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.warehouse.dir", str(warehouse))
        # Splink's Jaro-Winkler and Damerau-Levenshtein UDFs, for duplicate detection on Spark
        .config("spark.jars", similarity_jar_location())
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(
        str(tmp_path_factory.mktemp("spark-checkpoints"))
    )  # Splink checkpoints
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_backend(spark):
    import ibis

    return ibis.pyspark.connect(spark)


@pytest.fixture
def on_spark(spark, spark_backend):
    """``on_spark(conn, "auth_events", ...)``: the named ``staging`` tables of the DuckDB ``conn`` as Spark
    tables (Ibis), under fresh view names so tests never see each other's rows. Rows go through Arrow, so NULL
    decimals and naive UTC timestamps arrive as they are."""

    def copy(conn, *names: str, schema: str = "staging"):
        out = {}
        for name in names:
            arrow = conn.sql(f"SELECT * FROM {schema}.{name}").to_arrow_table()
            view = f"t{next(_names)}_{name}"
            spark.createDataFrame(arrow).createOrReplaceTempView(view)
            out[name] = spark_backend.table(view)
        return out[names[0]] if len(names) == 1 else out

    return copy
