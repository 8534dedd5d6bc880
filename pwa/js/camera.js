// Photos of papers and fingerprints: taken with the phone's camera, shrunk and compressed in the
// browser to a few hundred KB, and stored by content hash until they are uploaded.

import { sha256Hex } from "./ids.js";
import { h } from "./ui.js";

export const MAX_SIDE = 1600;
export const TARGET_BYTES = 300_000;
const QUALITIES = [0.82, 0.72, 0.62, 0.52];

function toBlob(canvas, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: "image/jpeg", quality });
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

function makeCanvas(width, height) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/**
 * A JPEG of at most ``maxSide`` pixels on its long side and about ``target`` bytes: lower the
 * quality first, then the size. The camera's orientation is applied.
 */
export async function compressImage(file, { maxSide = MAX_SIDE, target = TARGET_BYTES } = {}) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    let scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    let best = null;
    for (let round = 0; round < 4; round += 1) {
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const canvas = makeCanvas(width, height);
      const context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // a transparent PNG would turn black in JPEG
      context.fillRect(0, 0, width, height);
      context.drawImage(bitmap, 0, 0, width, height);
      for (const quality of QUALITIES) {
        const blob = await toBlob(canvas, quality);
        best = { blob, width, height };
        if (blob.size <= target) return best;
      }
      scale *= 0.75;
    }
    return best;
  } finally {
    bitmap.close?.();
  }
}

/** Keep a photo or signature on the phone; returns its SHA-256. */
export async function storeBlob(db, blob, extra = {}) {
  const sha256 = await sha256Hex(blob);
  const known = await db.get("blobs", sha256);
  if (!known) {
    await db.put("blobs", {
      sha256,
      blob,
      type: blob.type,
      size: blob.size,
      created_at: Date.now(),
      ...extra,
    });
  }
  return sha256;
}

/**
 * A big "take a photo" button: a label around a hidden file input that opens the back camera.
 * ``onPhoto`` receives {sha256, blob, width, height}; ``onState`` "busy" | "ready" | "failed".
 */
export function photoButton({ db, label, onPhoto, onState = () => {} }) {
  const input = h("input", {
    type: "file",
    accept: "image/*",
    capture: "environment",
    class: "visually-hidden",
  });
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    onState("busy");
    try {
      const photo = await compressImage(file);
      const sha256 = await storeBlob(db, photo.blob, { width: photo.width, height: photo.height });
      onState("ready");
      onPhoto({ sha256, ...photo });
    } catch {
      onState("failed");
    }
  });
  return h("label", { class: "button secondary camera" }, input, label);
}
