// Progressive enhancements; every page works without them.
// 1. Uploads (images, imports): drop files on the drop zone, preview them, and show
//    upload progress.
// 2. Repeated items in product forms: "Add another" clones the empty item.
// 3. Look-up: scan a barcode with the camera where the browser has BarcodeDetector.
"use strict";

function describeFiles(list, files) {
  list.textContent = "";
  for (const file of files) {
    const item = document.createElement("li");
    if (file.type.startsWith("image/")) {
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.width = 64;
      img.height = 64;
      img.alt = "";
      item.appendChild(img);
    }
    item.appendChild(document.createTextNode(" " + file.name));
    list.appendChild(item);
  }
}

function enhanceDropZone(form) {
  const zone = form.querySelector("[data-dropzone]");
  const picker = form.querySelector('input[type="file"][multiple]');
  const chosen = form.querySelector("[data-chosen]");
  if (!zone || !picker || !chosen) return;
  const inputs = form.querySelectorAll('input[type="file"]');
  inputs.forEach((input) =>
    input.addEventListener("change", () => describeFiles(chosen, input.files)));
  ["dragenter", "dragover"].forEach((type) =>
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    }));
  ["dragleave", "drop"].forEach((type) =>
    zone.addEventListener(type, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    picker.files = event.dataTransfer.files;
    describeFiles(chosen, picker.files);
  });
}

// Sends the form with XMLHttpRequest to show how much of the upload has gone.
function enhanceUploadProgress(form) {
  const progress = form.querySelector("[data-progress]");
  if (!progress) return;
  form.addEventListener("submit", (event) => {
    if (!window.XMLHttpRequest || !window.FormData) return;
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        progress.hidden = false;
        progress.value = Math.round((100 * e.loaded) / e.total);
      }
    });
    request.addEventListener("load", () => {
      // Show whatever the server answered: the next page or an error page.
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", () => form.submit());
    form.querySelectorAll("button").forEach((b) => (b.disabled = true));
    request.send(new FormData(form));
  });
}

function enhanceUpload(form) {
  enhanceDropZone(form);
  enhanceUploadProgress(form);
}

function enhanceGroups(group) {
  const items = group.querySelectorAll("fieldset.item");
  const blank = items[items.length - 1];
  const note = group.querySelector(".add-note");
  if (!blank) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = "Add another";
  let next = items.length;
  button.addEventListener("click", () => {
    const copy = blank.cloneNode(true);
    const from = "." + (items.length - 1) + ".";
    const to = "." + next + ".";
    copy.querySelectorAll("[name]").forEach((field) => {
      field.name = field.name.replace(from, to);
      if (field.type === "checkbox") field.checked = false;
      else if (field.tagName !== "SELECT") field.value = "";
    });
    next += 1;
    button.before(copy);
  });
  (note || blank).after(button);
  if (note) note.hidden = true;
}

async function scanInto(form, button, video) {
  const formats = ["ean_13", "ean_8", "upc_a", "upc_e", "data_matrix", "qr_code"];
  const supported = await window.BarcodeDetector.getSupportedFormats();
  const detector = new window.BarcodeDetector({
    formats: formats.filter((f) => supported.includes(f)),
  });
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "environment" },
  });
  video.srcObject = stream;
  video.hidden = false;
  button.disabled = true;
  await video.play();
  const stop = () => {
    stream.getTracks().forEach((t) => t.stop());
    video.hidden = true;
    button.disabled = false;
  };
  const look = async () => {
    try {
      const codes = await detector.detect(video);
      if (codes.length > 0) {
        stop();
        form.querySelector('input[name="q"]').value = codes[0].rawValue;
        form.submit();
        return;
      }
    } catch (e) {
      stop();
      return;
    }
    window.setTimeout(look, 200);
  };
  look();
}

function enhanceLookup(form) {
  const button = form.querySelector("[data-scan]");
  const video = form.querySelector("[data-scan-video]");
  if (!button || !video || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    scanInto(form, button, video).catch(() => {
      button.disabled = false;
      video.hidden = true;
    });
  });
}

document.querySelectorAll("form[data-lookup]").forEach(enhanceLookup);
document.querySelectorAll("form[data-upload]").forEach(enhanceUpload);
document.querySelectorAll("section.group").forEach(enhanceGroups);
