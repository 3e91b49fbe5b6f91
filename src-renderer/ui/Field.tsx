import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';

/**
 * A form control with a real <label for>: its accessible name is exactly the label (a control
 * wrapped in its label would also be named by the selected option or typed value).
 */
export function Field({
  label,
  children,
  className,
}: {
  label: ReactNode;
  children: ReactElement<{ id?: string }>;
  className?: string;
}) {
  const id = useId();
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id })}
    </div>
  );
}
