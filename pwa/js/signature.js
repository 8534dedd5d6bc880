// The resident's signature: drawn with a finger on a canvas (pointer events), kept as a PNG.

import { h } from "./ui.js";

export class SignaturePad {
  constructor({ label }) {
    this.strokes = 0;
    this.canvas = h("canvas", { class: "signature", role: "img", "aria-label": label });
    this.context = null;
    this.last = null;
    this.onchange = () => {};
    this.canvas.addEventListener("pointerdown", (event) => this.start(event));
    this.canvas.addEventListener("pointermove", (event) => this.move(event));
    for (const name of ["pointerup", "pointercancel", "pointerleave"]) {
      this.canvas.addEventListener(name, () => this.end());
    }
  }

  /** Size the drawing surface to the box on screen; call once the canvas is in the page. */
  fit() {
    const ratio = Math.min(2, globalThis.devicePixelRatio || 1);
    const box = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(box.width * ratio));
    this.canvas.height = Math.max(1, Math.round(box.height * ratio));
    this.context = this.canvas.getContext("2d");
    this.context.scale(ratio, ratio);
    this.context.lineWidth = 3;
    this.context.lineCap = "round";
    this.context.lineJoin = "round";
    this.context.strokeStyle = "#111";
    this.clear();
  }

  point(event) {
    const box = this.canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  start(event) {
    if (!this.context) this.fit();
    event.preventDefault();
    this.canvas.setPointerCapture?.(event.pointerId);
    this.last = this.point(event);
    this.context.beginPath();
    this.context.arc(this.last.x, this.last.y, 1.2, 0, Math.PI * 2);
    this.context.fillStyle = "#111";
    this.context.fill();
  }

  move(event) {
    if (!this.last) return;
    event.preventDefault();
    const next = this.point(event);
    this.context.beginPath();
    this.context.moveTo(this.last.x, this.last.y);
    this.context.lineTo(next.x, next.y);
    this.context.stroke();
    this.last = next;
  }

  end() {
    if (!this.last) return;
    this.last = null;
    this.strokes += 1;
    this.canvas.classList.add("signed");
    this.onchange();
  }

  clear() {
    if (this.context) {
      this.context.save();
      this.context.setTransform(1, 0, 0, 1, 0, 0);
      this.context.fillStyle = "#fff";
      this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
      this.context.restore();
    }
    this.strokes = 0;
    this.canvas.classList.remove("signed");
    this.onchange();
  }

  get isEmpty() {
    return this.strokes === 0;
  }

  /** The signature as a PNG (white background, dark ink). */
  toBlob() {
    return new Promise((resolve) => this.canvas.toBlob(resolve, "image/png"));
  }
}
