/*
 * Heupwijzer chat widget. A practice embeds it with one line on any page of its website:
 *
 *   <script src="https://<heupwijzer-server>/embed.js" defer></script>
 *
 * (and adds its website's address to HEUPWIJZER_CORS_ORIGINS). This script loads the
 * rasa-webchat bundle and the settings (colours, server address) from the same server.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src, window.location.href);
  var origin = base.protocol + "//" + base.host;

  function start(cfg) {
    var socketUrl = cfg.socketUrl || (base.protocol + "//" + base.hostname + ":" + cfg.rasaPort);
    window.WebChat.default({
      initPayload: "/greet",
      socketUrl: socketUrl,
      socketPath: "/socket.io/",
      customData: { language: "nl" },
      title: cfg.title,
      subtitle: cfg.subtitle,
      inputTextFieldHint: "Typ je vraag...",
      connectingText: "Even geduld, ik maak verbinding...",
      showFullScreenButton: true,
      showMessageDate: false,
      // "session": the conversation ends with the browser tab (a shared computer keeps nothing);
      // HEUPWIJZER_WIDGET_STORAGE=local keeps it across visits.
      params: { storage: cfg.storage === "local" ? "local" : "session" },
      mainColor: cfg.colour,
      userBackgroundColor: cfg.colour,
      userTextColor: "#ffffff",
      assistBackgoundColor: "#f1f3f4",
      assistTextColor: "#1d2b36"
    }, null);
  }

  // The widget's font (from this server, never from Google Fonts) and layout fixes.
  var styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = origin + "/widget.css";
  document.head.appendChild(styles);

  // rasa-webchat leaves some controls without a name and its answer buttons out of the keyboard
  // order. Label them in Dutch, make the conversation a live region (screen readers announce new
  // answers) that the keyboard can reach and scroll, and let Enter or Space press an answer button.
  var LABELS = [
    [".rw-send", "aria-label", "Verstuur je vraag"],
    [".rw-new-message", "aria-label", "Typ je vraag"],
    [".rw-close-button", "aria-label", "Sluit de chat"],
    [".rw-toggle-fullscreen-button", "aria-label", "Chat op volledig scherm aan of uit"],
    [".rw-messages-container", "role", "log"],
    [".rw-messages-container", "aria-live", "polite"],
    [".rw-messages-container", "aria-label", "Gesprek met Heupwijzer"],
    [".rw-messages-container", "tabindex", "0"],
    [".rw-reply", "role", "button"],
    [".rw-reply", "tabindex", "0"],
    [".rw-launcher img, .rw-close-button img, .rw-toggle-fullscreen-button img", "alt", ""]
  ];

  function makeAccessible() {
    LABELS.forEach(function (rule) {
      document.querySelectorAll(rule[0]).forEach(function (element) {
        if (element.getAttribute(rule[1]) !== rule[2]) { element.setAttribute(rule[1], rule[2]); }
      });
    });
    var launcher = document.querySelector(".rw-launcher");
    if (launcher) {
      var open = !!document.querySelector(".rw-chat-open");
      var label = open ? "Sluit de chat" : "Open de chat met Heupwijzer";
      if (launcher.getAttribute("aria-label") !== label) { launcher.setAttribute("aria-label", label); }
      if (launcher.getAttribute("aria-expanded") !== String(open)) { launcher.setAttribute("aria-expanded", String(open)); }
    }
  }

  // Watch the page until the widget exists, then only the widget.
  var watcher = new MutationObserver(function () {
    var widget = document.querySelector(".rw-widget-container");
    if (widget) {
      watcher.disconnect();
      makeAccessible();
      new MutationObserver(makeAccessible).observe(widget.parentNode, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
    }
  });
  watcher.observe(document.body, { childList: true, subtree: true });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("rw-reply")) { return; }
    if (event.key !== "Enter" && event.key !== " ") { return; }
    event.preventDefault();
    target.click();
    var input = document.querySelector(".rw-new-message");
    if (input) { input.focus(); }  // the buttons disappear: keep the keyboard in the chat
  });

  var bundle = document.createElement("script");
  bundle.src = origin + "/webchat.js";
  bundle.onload = function () {
    fetch(origin + "/config.json")
      .then(function (response) { return response.json(); })
      .then(start)
      .catch(function () {
        // For the practice's web builder: this site is not allowed to open a chat.
        console.warn("Heupwijzer: geen instellingen van " + origin + ". Staat " + window.location.origin +
                     " in HEUPWIJZER_CORS_ORIGINS?");
      });
  };
  document.head.appendChild(bundle);
})();
