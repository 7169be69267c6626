// Starts GraphiQL against this gateway's own /graphql: queries over HTTP, subscriptions
// over WebSocket on the same path. The gateway's code, not fetched by
// scripts/fetch_graphiql.py.
(function () {
  "use strict";
  var url = new URL("/graphql", window.location.href);
  var subscriptions = new URL(url.href);
  subscriptions.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: url.href,
    subscriptionUrl: subscriptions.href,
  });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
    }),
  );
})();
