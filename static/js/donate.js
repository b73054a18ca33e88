/* Running Together: the donate form, the card step and the thank-you page.
 * Everything here only helps the donor; the server computes and checks every amount. */
(function () {
  "use strict";

  function donateForm(form) {
    var other = form.querySelector("#other_amount");
    var radios = form.querySelectorAll("input[name=amount_choice]");
    var cover = form.querySelector("#cover_fees");
    var estimate = document.getElementById("fee-estimate");
    var giftAmount = form.querySelector("[data-gift-amount]");
    var scope = form.querySelector("[data-gift-scope]");
    var pastAndFuture = form.querySelector("#gift_aid_past_and_future");
    var timer = null;

    function chosenAmount() {
      var checked = form.querySelector("input[name=amount_choice]:checked");
      if (other && other.value.trim()) { return other.value.trim(); }
      if (checked && checked.value !== "other") {
        return checked.parentNode.textContent.trim();
      }
      return "";
    }

    function showEstimate() {
      var amount = chosenAmount();
      if (giftAmount) { giftAmount.textContent = amount || "the amount chosen above"; }
      if (!estimate || !amount) { return; }
      var url = form.dataset.feeUrl + "?amount=" + encodeURIComponent(amount);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.error) { estimate.textContent = body.error; return; }
          estimate.textContent = (cover && cover.checked ? "Adds " : "Ticking this adds ") + body.fee_formatted +
            ": " + body.total_formatted + " charged to your card.";
        })
        .catch(function () { /* the estimate is a courtesy; the pay step shows the exact amount */ });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(showEstimate, 300);
    }

    if (other) {
      other.addEventListener("input", function () {
        var otherRadio = form.querySelector("input[name=amount_choice][value=other]");
        if (other.value.trim() && otherRadio) { otherRadio.checked = true; }
        later();
      });
    }
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", function () {
        if (radio.value !== "other" && other) { other.value = ""; }
        if (radio.value === "other" && other) { other.focus(); }
        showEstimate();
      });
    });
    if (cover) { cover.addEventListener("change", showEstimate); }
    if (pastAndFuture && scope) {
      pastAndFuture.addEventListener("change", function () { scope.hidden = !pastAndFuture.checked; });
    }
    showEstimate();
  }

  function payForm(form) {
    var message = document.getElementById("payment-message");
    var button = document.getElementById("pay-button");
    var data = form.dataset;
    // Connect: a direct charge lives on the charity's account, and so must Stripe.js.
    var stripe = data.stripeAccount ? Stripe(data.publishableKey, { stripeAccount: data.stripeAccount })
                                    : Stripe(data.publishableKey);
    var card = stripe.elements().create("card");
    card.mount("#card-element");

    var solved = "";

    function fail(text, refusal) {
      message.textContent = text || "Your card was not charged. Please check the details and try again.";
      button.disabled = false;
      if (refusal && refusal.restartUrl) {
        var again = document.createElement("a");
        again.href = refusal.restartUrl;
        again.textContent = " Start again";
        message.appendChild(again);
        button.disabled = true;
      } else if (refusal && refusal.challenge) {
        declinedBefore = true;
        askForChallenge(refusal.challenge);
      }
    }

    /* After a failed card the next one needs the proof-of-work check (ALTCHA), which the
     * server sent with its refusal; challenge.js shows it and hands back the solution. */
    function askForChallenge(challenge) {
      solved = "";
      button.disabled = true;
      window.runningTogetherChallenge(challenge, function (payload) {
        solved = payload;
        button.disabled = false;
      });
    }

    var declinedBefore = false;

    /* After a decline Stripe's webhook marked this gift failed; the next card's success
     * arrives by webhook too, so wait (up to 30 s) for it before showing the thank-you page. */
    function done() {
      var tries = declinedBefore ? 15 : 0;
      (function next() {
        if (tries-- <= 0) { window.location.assign(data.thankYouUrl); return; }
        fetch(data.statusUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
          .then(function (response) { return response.json(); })
          .then(function (body) {
            if (body.status === "failed") { setTimeout(next, 2000); } else { tries = 0; next(); }
          })
          .catch(function () { setTimeout(next, 2000); });
      })();
    }

    function afterConfirm(result) {
      if (result.error) { fail(result.error.message); return; }
      var status = result.paymentIntent && result.paymentIntent.status;
      if (status === "succeeded" || status === "processing") { done(); return; }
      fail("Your bank did not confirm the payment, so your card was not charged. Please try again.");
    }

    var billing = { name: data.donorName, email: data.donorEmail };

    /* The card becomes a PaymentMethod in the browser. localstripe's stand-in Stripe.js has no
     * createPaymentMethod, so there the server hands us a SetupIntent to confirm instead. */
    function paymentMethod() {
      if (data.setupSecret) {
        return stripe.confirmCardSetup(data.setupSecret, { payment_method: { card: card, billing_details: billing } })
          .then(function (result) {
            if (result.error) { throw new Error(result.error.message); }
            return result.setupIntent.payment_method;
          });
      }
      return stripe.createPaymentMethod({ type: "card", card: card, billing_details: billing })
        .then(function (result) {
          if (result.error) { throw new Error(result.error.message); }
          return result.paymentMethod.id;
        });
    }

    /* Our server confirms the PaymentIntent with it; 3-D Secure, when the bank asks for it,
     * runs in the browser with confirmCardPayment. */
    function confirmOnServer(paymentMethodId) {
      var csrf = document.querySelector("meta[name=csrf-token]");
      return fetch(data.payUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrf ? csrf.content : ""
        },
        body: JSON.stringify({ payment_method: paymentMethodId, altcha: solved })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var refused = new Error(body.detail || body.error);
            refused.challenge = body.challenge;
            refused.restartUrl = body.restart_url;
            throw refused;
          }
          if (body.status === "requires_action") { return stripe.confirmCardPayment(body.client_secret); }
          return { paymentIntent: { status: body.status } };
        });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      message.textContent = "";
      paymentMethod()
        .then(confirmOnServer)
        .then(afterConfirm)
        .catch(function (error) { fail(error && error.message, error); });
    });
  }

  function statusPoll(box) {
    if (box.dataset.status !== "pending") { return; }
    var timer = setInterval(function () {
      fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.status && body.status !== "pending") {
            clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { /* try again on the next tick */ });
    }, 2000);
  }

  var donate = document.querySelector("form.donate-form");
  if (donate) { donateForm(donate); }
  var pay = document.getElementById("pay-form");
  if (pay) { payForm(pay); }
  var box = document.getElementById("donation-status");
  if (box) { statusPoll(box); }
})();
