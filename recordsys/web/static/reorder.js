// Drag the documents of a dossier to reorder them; the order is posted as document ids.
(function () {
  var list = document.getElementById("items"), form = document.getElementById("reorder");
  if (!list || !form) return;
  var dragged = null;
  list.addEventListener("dragstart", function (e) { dragged = e.target.closest("li"); });
  list.addEventListener("dragover", function (e) {
    e.preventDefault();
    var over = e.target.closest("li");
    if (!over || over === dragged) return;
    var after = e.clientY > over.getBoundingClientRect().top + over.offsetHeight / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });
  form.addEventListener("submit", function () {
    form.elements.order.value = Array.prototype.map.call(list.querySelectorAll("li"),
      function (li) { return li.dataset.document; }).join(",");
  });
})();
