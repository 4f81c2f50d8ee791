"""Tools other apps add to the reader, without this app importing them.

``sources`` is the document store and must not import ``practices`` (dependencies point
one way), yet a curator reading a document should be able to cite a passage of it for a
practice. So the reader offers a hook: an app registers a function at start-up
(``AppConfig.ready``) and the reader calls it with the request and the document. The
function returns HTML to place beside the text (a ``SafeString`` it rendered from its own
template), or "" when it has nothing for this visitor. Registration is explicit and
ordered, unlike a template block another app would have to override, and the reader can
tell whether anything personal was added (then the page must not be cached; see
``SourceDocumentDetailView``).
"""

_reader_tools = []


def register_reader_tool(tool):
    """Add ``tool(request, document) -> str`` to every reader page (once, however often
    it is registered: ``ready()`` can run twice in tests)."""
    if tool not in _reader_tools:
        _reader_tools.append(tool)
    return tool


def reader_tools(request, document):
    """The HTML each registered tool has for this visitor and document (empty ones left out)."""
    return [html for html in (tool(request, document) for tool in _reader_tools) if html]
