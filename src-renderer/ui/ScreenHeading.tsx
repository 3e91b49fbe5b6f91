import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The page heading (h1, id "screen-title"). It takes focus when the screen opens, so keyboard
 * and screen-reader users land at the top of the new screen.
 */
export function ScreenHeading({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <header className="screen-head">
      <h1 id="screen-title" ref={ref} tabIndex={-1}>
        {title}
      </h1>
      {children ? <p className="lead">{children}</p> : null}
    </header>
  );
}
