// The check-in desk without page reloads: submit scans with fetch, show the verdict, keep the
// scanner's focus, refresh the counts; read badges with the camera (BarcodeDetector where the
// browser has it, the vendored jsQR otherwise). Without JavaScript the forms post normally.
(() => {
  const desk = document.querySelector(".check-in-desk");
  if (!desk) {
    return;
  }
  const outcome = desk.querySelector("[data-outcome]");
  const tokenInput = desk.querySelector("#token");
  const admitted = desk.querySelector("[data-admitted]");
  let scanning = false;
  const expected = desk.querySelector("[data-expected]");

  const setCounts = (counts) => {
    admitted.textContent = counts.admitted;
    expected.textContent = counts.expected;
  };

  const show = (result) => {
    const box = document.createElement("div");
    box.className = `alert mb-0 ${result.admitted ? "alert-success" : "alert-danger"}`;
    const verdict = document.createElement("p");
    verdict.className = "fs-4 fw-bold mb-1";
    verdict.textContent = result.verdict;
    box.append(verdict);
    if (result.person) {
      const person = document.createElement("p");
      person.className = "mb-0";
      const p = result.person;
      const delegation = p.delegation_line ? ` · ${p.delegation_line}` : "";
      person.textContent = [p.name_latin, p.name_native].filter(Boolean).join(" · ") + ` — ${p.organization}, ${p.country}${delegation} · ${p.category} · ${p.status}`;
      box.append(person);
    }
    outcome.replaceChildren(box);
  };

  const problem = (message) => {
    show({ admitted: false, verdict: message, person: null });
  };

  const submit = async (form, extra = {}) => {
    const data = new FormData(form);
    Object.entries(extra).forEach(([key, value]) => data.set(key, value));
    let response;
    try {
      response = await fetch(window.location.href, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      problem(desk.dataset.offlineLabel);
      return null;
    }
    const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
    const result = isJson && response.ok && !response.redirected ? await response.json() : null;
    if (!result || typeof result.admitted !== "boolean") {
      // Signed out (sent to the sign-in page), or the page is stale (a new sign-in changes the
      // CSRF token), or the server failed: say so rather than show a verdict.
      problem(response.status >= 500 ? desk.dataset.offlineLabel : desk.dataset.reloadLabel);
      return null;
    }
    show(result);
    setCounts(result.counts);
    tokenInput.value = "";
    if (!scanning) {
      tokenInput.focus();  // ready for the next handheld scan; not while the camera is in use
    }
    return result;
  };

  desk.querySelectorAll("[data-scan-form]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(form);
    });
  });

  window.setInterval(async () => {
    const response = await fetch(desk.dataset.countsUrl, { credentials: "same-origin" });
    if (response.ok) {
      setCounts(await response.json());
    }
  }, 10000);

  const cameraButton = desk.querySelector("[data-camera]");
  const video = desk.querySelector("[data-video]");
  const canvas = desk.querySelector("[data-canvas]");
  const scanForm = desk.querySelector("form.scan-form");
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  cameraButton.hidden = false;
  let lastToken = "";
  let lastAt = 0;
  let stream = null;

  const detector = "BarcodeDetector" in window ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  const decode = async () => {
    if (detector) {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : "";
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(image.data, image.width, image.height);
    return code ? code.data : "";
  };

  const scanLoop = async () => {
    if (video.readyState >= 2) {
      const token = await decode().catch(() => "");
      const now = Date.now();
      // A badge held in front of the camera is sent once; the same badge again only after 30 s.
      if (token && (token !== lastToken || now - lastAt > 30000)) {
        lastToken = token;
        lastAt = now;
        await submit(scanForm, { token });
      }
    }
    if (scanning) {
      window.setTimeout(scanLoop, 250);
    }
  };

  const stopButton = desk.querySelector("[data-camera-stop]");
  cameraButton.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      problem(desk.dataset.cameraLabel);
      return;
    }
    // Starting the camera again is a request to read the badge in front of it, even the last one.
    lastToken = "";
    video.srcObject = stream;
    video.hidden = false;
    cameraButton.hidden = true;
    stopButton.hidden = false;
    scanning = true;
    await video.play();
    video.scrollIntoView({ block: "center" });
    scanLoop();
  });
  stopButton.addEventListener("click", () => {
    scanning = false;
    stream.getTracks().forEach((track) => track.stop());
    video.hidden = true;
    stopButton.hidden = true;
    cameraButton.hidden = false;
    tokenInput.focus();
  });
})();
