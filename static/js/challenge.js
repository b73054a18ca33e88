/* Running Together: the proof-of-work check (ALTCHA). The vendored widget (an ES module,
 * loaded just before this one) solves it in the vendored PBKDF2 worker, so nothing is fetched
 * from anywhere else. The widget is made here, after its worker is registered; the pay step
 * calls window.runningTogetherChallenge(challenge, onSolved) when the server asks for one. */
const worker = new URL("../vendor/altcha/pbkdf2-worker.js", import.meta.url);
globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(worker));

function mount(box, challenge, onSolved) {
  box.replaceChildren();
  const widget = document.createElement("altcha-widget");
  widget.setAttribute("name", "altcha");
  widget.setAttribute("auto", "onload");
  widget.setAttribute("aria-describedby", "challenge-hint");
  widget.setAttribute("challenge", challenge);
  if (onSolved) {
    widget.addEventListener("verified", (event) => onSolved(event.detail.payload));
  }
  box.appendChild(widget);
}

window.runningTogetherChallenge = function (challenge, onSolved) {
  const box = document.querySelector(".challenge-box");
  box.closest("[hidden]")?.removeAttribute("hidden");
  mount(box, challenge, onSolved);
};

for (const box of document.querySelectorAll(".challenge-box[data-challenge]")) {
  if (box.dataset.challenge) { mount(box, box.dataset.challenge, null); }
}
