"""Printing PDFs: the one place that talks to WeasyPrint (STYLE.md 2.6).

``fetcher`` decides what a document may load (our static files, nothing else);
``pdf`` lays out HTML and answers with a PDF. What a document says is built by
the app that owns it: the case summary in ``cases``, the meeting pack in
``meetings``. This package sits below every app and imports none of them.
"""
