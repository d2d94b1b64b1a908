"""The benchmarks' own PostgreSQL databases, created on first use."""


def ensure_database(url):
    """Create the database `url` names when it does not exist; True when it was created."""
    import environ
    import psycopg2

    cfg = environ.Env.db_url_config(url)
    conn = psycopg2.connect(
        dbname="postgres", user=cfg["USER"], host=cfg["HOST"], port=cfg["PORT"] or 5432
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
            if cur.fetchone() is not None:
                return False
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
            return True
    finally:
        conn.close()
