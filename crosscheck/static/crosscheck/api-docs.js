// The JSON API's docs page (/api/docs/): Swagger UI, from the app's own static files, on
// the schema at settings.url. Its requests carry the page's CSRF token, as the app's own
// scripts' do. Settings come from json_script: the policy allows no inline script.
const settings = JSON.parse(document.getElementById("api-docs-settings").textContent);
const token = document.querySelector('meta[name="csrf-token"]').content;

window.SwaggerUIBundle({
  url: settings.url,
  domNode: document.querySelector("[data-api-docs]"),
  deepLinking: true,
  // No badge fetched from a validator elsewhere: the policy loads images only from here.
  validatorUrl: null,
  requestInterceptor: (request) => {
    request.headers[settings.csrfHeader] = token;
    return request;
  },
});
