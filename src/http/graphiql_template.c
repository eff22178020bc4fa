/* graphiql_template.c -- the GraphiQL HTML page, kept apart from the code.
 *
 * Placeholders, replaced by graphiql.c: {{GRAPHIQL_CSS}}, {{REACT_JS}},
 * {{REACT_DOM_JS}}, {{GRAPHIQL_JS}} (asset URLs: the server's own /graphiql/
 * files, or a public CDN when they are absent) and {{ENDPOINT}} (a JSON string
 * literal, HTML-safe). GraphiQL 3.9.0 is the last version with UMD bundles,
 * which run on React 18's UMD builds. */
#include "http/http_internal.h"

const char mm_graphiql_template[] =
    "<!doctype html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "  <meta charset=\"utf-8\">\n"
    "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "  <title>GraphiQL - Metamorphosis</title>\n"
    "  <style>\n"
    "    html, body { height: 100%; margin: 0; width: 100%; overflow: hidden; }\n"
    "    #graphiql { height: 100vh; }\n"
    "  </style>\n"
    "  <link rel=\"stylesheet\" href=\"{{GRAPHIQL_CSS}}\">\n"
    "  <script crossorigin src=\"{{REACT_JS}}\"></script>\n"
    "  <script crossorigin src=\"{{REACT_DOM_JS}}\"></script>\n"
    "  <script crossorigin src=\"{{GRAPHIQL_JS}}\"></script>\n"
    "</head>\n"
    "<body>\n"
    "  <div id=\"graphiql\">Loading GraphiQL...</div>\n"
    "  <script>\n"
    "    (function () {\n"
    "      var endpoint = new URL({{ENDPOINT}}, window.location.href).toString();\n"
    "      if (typeof GraphiQL === 'undefined' || typeof ReactDOM === 'undefined') {\n"
    "        document.getElementById('graphiql').textContent =\n"
    "          'GraphiQL could not be loaded. POST GraphQL requests to ' + endpoint + '.';\n"
    "        return;\n"
    "      }\n"
    "      var fetcher = GraphiQL.createFetcher({\n"
    "        url: endpoint,\n"
    "        headers: { Accept: 'application/graphql-response+json, application/json;q=0.9' }\n"
    "      });\n"
    "      var root = ReactDOM.createRoot(document.getElementById('graphiql'));\n"
    "      root.render(React.createElement(GraphiQL, {\n"
    "        fetcher: fetcher,\n"
    "        defaultEditorToolsVisibility: true\n"
    "      }));\n"
    "    })();\n"
    "  </script>\n"
    "</body>\n"
    "</html>\n";
