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
      params: { storage: "local" },  // the conversation survives a page reload
      mainColor: cfg.colour,
      userBackgroundColor: cfg.colour,
      userTextColor: "#ffffff",
      assistBackgoundColor: "#f1f3f4",
      assistTextColor: "#1d2b36"
    }, null);
  }

  var bundle = document.createElement("script");
  bundle.src = origin + "/webchat.js";
  bundle.onload = function () {
    fetch(origin + "/config.json")
      .then(function (response) { return response.json(); })
      .then(start);
  };
  document.head.appendChild(bundle);
})();
