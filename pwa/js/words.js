// The words the server shows too, from schemas/words.json: written by `python -m motcua.words`;
// do not edit. pwa/js/i18n.js reads them (status.*, deadline.*).

export const WORDS = Object.freeze({
  status: {
    incomplete: { vi: "Chờ đủ ảnh giấy tờ", en: "Waiting for all the photos" },
    received: { vi: "Chờ tiếp nhận", en: "Waiting to be accepted" },
    accepted: { vi: "Đã tiếp nhận", en: "Accepted" },
    in_progress: { vi: "Đang giải quyết", en: "Being processed" },
    needs_supplement: { vi: "Cần bổ sung", en: "More papers needed" },
    ready: { vi: "Có kết quả", en: "Result ready" },
    delivered: { vi: "Đã trả kết quả", en: "Result handed over" },
    rejected: { vi: "Từ chối", en: "Refused" },
    withdrawn: { vi: "Rút hồ sơ", en: "Withdrawn" },
  },
  deadline: {
    overdue: { vi: "Quá hạn", en: "Overdue" },
    due_soon: { vi: "Sắp đến hạn", en: "Due soon" },
  },
});
