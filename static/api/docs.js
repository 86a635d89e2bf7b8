// Draws the API reference from the OpenAPI document named on the page.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    domNode: node,
    deepLinking: true,
    // Sending a request from the page needs a token: "Authorize" keeps it for the session.
    persistAuthorization: false,
    tryItOutEnabled: false,
    validatorUrl: null
  });
})();
