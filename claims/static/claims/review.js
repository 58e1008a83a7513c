// Keyboard shortcuts of the review queue and the claim pair page: c / r / e give a verdict,
// n or j / p or k move through the queue, ? lists the shortcuts. Each is the visible button
// or link marked with it (data-shortcut).

import { shortcuts } from "./api.js";

shortcuts();
