/**
 * @module test/ui/in-page
 * The few browser globals the tests' in-page callbacks use. Those callbacks run in chromium,
 * but the repository's tsconfig is Node's (no DOM library): each test file declares the
 * globals it needs with these types, module-scoped, instead of adding DOM to every file.
 */
export interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  closest(selector: string): PageElement | null;
  getBoundingClientRect(): { top: number; bottom: number; height: number };
}

export interface PageDocument {
  activeElement: PageElement | null;
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  addEventListener(
    type: "securitypolicyviolation",
    listener: (event: { violatedDirective: string; blockedURI: string; sample: string }) => void,
  ): void;
}

export interface PageWindow {
  innerHeight: number;
  __cspViolations?: string[];
}

export interface PageStorage {
  getItem(key: string): string | null;
  clear(): void;
}

export interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: "2d"): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  } | null;
}
