/*
 * Heupwijzer chat widget. A practice embeds it with one line on any page of its website:
 *
 *   <script src="https://<heupwijzer-server>/embed.js" defer></script>
 *
 * (and adds its website's address to HEUPWIJZER_CORS_ORIGINS). This script loads the
 * rasa-webchat bundle and the settings (colours, server address) from the same server, and adds
 * what rasa-webchat lacks for patients who read or type with difficulty: "Lees voor" on every answer
 * (the browser's own Dutch voice; nothing leaves the page) and a text size the widget remembers for
 * the tab. (Phone numbers in answers arrive as tel: links from the server: a tap calls.)
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src, window.location.href);
  var origin = base.protocol + "//" + base.host;

  // This tab's own random token, sent when the widget connects: the chat's session belongs to it, so
  // a reload or a new connection continues the conversation and nobody else who learns the session
  // id can (heupwijzer/channels/webchat.py). Kept where the widget keeps the conversation.
  function ownerToken(storage) {
    var key = "heupwijzer_owner";
    var token = storage.getItem(key);
    if (!/^[0-9a-f]{32}$/.test(token || "")) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      token = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      storage.setItem(key, token);
    }
    return token;
  }

  function start(cfg) {
    var storage = cfg.storage === "local" ? window.localStorage : window.sessionStorage;
    var socketUrl = cfg.socketUrl || (base.protocol + "//" + base.hostname + ":" + cfg.rasaPort);
    socketUrl += (socketUrl.indexOf("?") >= 0 ? "&" : "?") + "owner=" + ownerToken(storage);
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

  // --- "Lees voor": the browser reads an answer aloud in a Dutch voice, when it has one -------------
  function dutchVoice() {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return null; }
    var voices = window.speechSynthesis.getVoices() || [];
    return voices.filter(function (voice) { return /^nl(-|_|$)/i.test(voice.lang || ""); })[0] || null;
  }

  function readAloud(text) {
    var voice = dutchVoice();
    if (!voice) { return; }
    window.speechSynthesis.cancel();
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = voice.lang;
    utterance.voice = voice;
    window.speechSynthesis.speak(utterance);
  }

  function addReadAloud(response) {
    var message = response.parentNode;
    if (!message || message.querySelector(".hw-read-aloud")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "hw-read-aloud";
    button.textContent = "Lees voor";
    button.addEventListener("click", function () { readAloud(response.innerText); });
    message.appendChild(button);
  }

  // --- Text size: three steps, remembered for this browser tab ------------------------------------
  var SIZES = ["100", "125", "150"];
  var SIZE_KEY = "heupwijzer_text_size";

  function textSize() {
    var size = window.sessionStorage.getItem(SIZE_KEY);
    return SIZES.indexOf(size) >= 0 ? size : "100";
  }

  function setTextSize(size) {
    window.sessionStorage.setItem(SIZE_KEY, size);
    applyTextSize();
  }

  function applyTextSize() {
    var widget = document.querySelector(".rw-widget-container");
    if (!widget) { return; }
    var size = textSize();
    SIZES.forEach(function (step) {
      var name = "hw-text-" + step;
      if (widget.classList.contains(name) !== (step === size)) { widget.classList.toggle(name, step === size); }
    });
    document.querySelectorAll(".hw-text-smaller").forEach(function (b) { b.disabled = size === SIZES[0]; });
    document.querySelectorAll(".hw-text-larger").forEach(function (b) { b.disabled = size === SIZES[SIZES.length - 1]; });
  }

  function addTextSizeControls() {
    var conversation = document.querySelector(".rw-conversation-container");
    if (!conversation || conversation.querySelector(".hw-toolbar")) { return; }
    var bar = document.createElement("div");
    bar.className = "hw-toolbar";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Tekstgrootte");
    [["hw-text-smaller", "Tekst kleiner", -1], ["hw-text-larger", "Tekst groter", 1]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = spec[0];
      button.textContent = spec[1];  // the visible words are the name: no icon to guess
      button.addEventListener("click", function () {
        var next = SIZES.indexOf(textSize()) + spec[2];
        setTextSize(SIZES[Math.max(0, Math.min(SIZES.length - 1, next))]);
      });
      bar.appendChild(button);
    });
    var messages = conversation.querySelector(".rw-messages-container");
    conversation.insertBefore(bar, messages || null);
  }

  function helpToRead() {
    if (dutchVoice()) {
      document.querySelectorAll(".rw-response").forEach(function (response) {
        // not the "..." shown while Heupwijzer is typing
        if (!response.closest(".rw-typing-indication") && !response.querySelector(".rw-typing-indication")) {
          addReadAloud(response);
        }
      });
    }
    addTextSizeControls();
    applyTextSize();
  }

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
      if (!open && "speechSynthesis" in window && window.speechSynthesis.speaking) { window.speechSynthesis.cancel(); }
    }
    try {
      helpToRead();  // after the labels: a problem here never undoes them
    } catch (problem) {
      console.warn("Heupwijzer: voorlezen of tekstgrootte werkt hier niet.", problem);
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

  if ("speechSynthesis" in window && window.speechSynthesis.addEventListener) {
    // Chromium lists its voices only after a moment: add "Lees voor" once they are known.
    window.speechSynthesis.addEventListener("voiceschanged", function () { makeAccessible(); });
  }

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
