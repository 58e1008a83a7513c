// The Export page: "Prepare a file" posts the dataset's form, with the page's CSRF token,
// to /export/prepare/ (the form itself downloads with GET, which must not carry the token).

for (const button of document.querySelectorAll("button[data-prepare]")) {
  button.addEventListener("click", (event) => {
    event.preventDefault();
    const source = button.form;
    const form = document.createElement("form");
    form.method = "post";
    form.action = button.formAction;
    form.hidden = true;
    const fields = new FormData(source);
    fields.append("csrfmiddlewaretoken", document.querySelector('meta[name="csrf-token"]').content);
    for (const [name, value] of fields) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  });
}
