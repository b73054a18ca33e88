"""`make run`: serve the app on http://127.0.0.1:5000 for development."""

from __future__ import annotations

import os

from fundraiser import create_app


def main() -> None:
    app = create_app()
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", 5000)), debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
