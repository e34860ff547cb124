// The demo shop's behaviour: cart cookie, "Added to cart" modal, consent banner. Plain ES5 on purpose.
(function () {
  "use strict";

  var CART_COOKIE = "shop_cart";
  var CONSENT_KEY = "shop-consent";

  // The cart lives in a cookie (`slug:qty|slug:qty`) so that the server can render /cart and /checkout.
  function readCart() {
    var match = document.cookie.match(/(?:^|;\s*)shop_cart=([^;]*)/);
    var cart = {};
    if (!match) return cart;
    match[1].split("|").forEach(function (entry) {
      var parts = entry.split(":");
      var qty = parseInt(parts[1], 10);
      if (parts[0] && qty > 0) cart[parts[0]] = (cart[parts[0]] || 0) + qty;
    });
    return cart;
  }

  function writeCart(cart) {
    var entries = Object.keys(cart).filter(function (slug) { return cart[slug] > 0; })
      .map(function (slug) { return slug + ":" + Math.min(99, cart[slug]); });
    document.cookie = CART_COOKIE + "=" + entries.join("|") + "; path=/; SameSite=Lax";
    showCartCount();
  }

  function showCartCount() {
    var badge = document.getElementById("cart-count");
    if (!badge) return;
    var cart = readCart();
    var total = Object.keys(cart).reduce(function (sum, slug) { return sum + cart[slug]; }, 0);
    badge.textContent = String(total);
  }

  // The modal is open exactly while #modal has no `hidden` attribute.
  function openModal(text) {
    var modal = document.getElementById("modal");
    if (!modal) return;
    document.getElementById("modal-text").textContent = text;
    modal.hidden = false;
    document.body.classList.add("modal-open");
    document.getElementById("modal-continue").focus();
  }

  function closeModal() {
    var modal = document.getElementById("modal");
    if (!modal || modal.hidden) return;
    modal.hidden = true;
    document.body.classList.remove("modal-open");
    var button = document.getElementById("add-to-cart");
    if (button) button.focus();
  }

  function setUpProductPage() {
    var button = document.getElementById("add-to-cart");
    if (!button) return;
    button.addEventListener("click", function () {
      var input = document.getElementById("quantity");
      var qty = Math.max(1, Math.min(9, parseInt(input.value, 10) || 1));
      var cart = readCart();
      cart[button.dataset.slug] = (cart[button.dataset.slug] || 0) + qty;
      writeCart(cart);
      openModal(qty + " \u00d7 " + button.dataset.name);
    });
    document.getElementById("modal-continue").addEventListener("click", closeModal);
    document.getElementById("modal").addEventListener("click", function (event) {
      if (event.target === event.currentTarget) closeModal();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeModal();
    });
  }

  function setUpCartPage() {
    var buttons = document.querySelectorAll("button.remove[data-slug]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var cart = readCart();
        delete cart[button.dataset.slug];
        writeCart(cart);
        window.location.reload();
      });
    });
  }

  // Reel's snippet starts with a queue stub, so window.reel takes calls before its script has loaded.
  function tellReel(granted) {
    window.reel.consent(granted);
  }

  function setUpConsent() {
    var banner = document.getElementById("consent-banner");
    var stored = null;
    try { stored = window.localStorage.getItem(CONSENT_KEY); } catch (e) { stored = null; }
    if (stored === "yes" || stored === "no") {
      tellReel(stored === "yes");
      return;
    }
    if (!banner) return;
    banner.hidden = false;
    function choose(granted) {
      try { window.localStorage.setItem(CONSENT_KEY, granted ? "yes" : "no"); } catch (e) { /* private mode */ }
      banner.hidden = true;
      tellReel(granted);
    }
    document.getElementById("consent-accept").addEventListener("click", function () { choose(true); });
    document.getElementById("consent-decline").addEventListener("click", function () { choose(false); });
  }

  showCartCount();
  setUpProductPage();
  setUpCartPage();
  setUpConsent();
})();
