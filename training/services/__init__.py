"""Training services, one module per area: institutions (filing, spot checks, sign-up points), classes
(application, approval, sessions), enrollment (capacity, waiting list, withdrawal), attendance (rotating QR,
geofence, device, teacher and counter marking), results (completion, exam, certificates), eligibility (the
subsidy calculator), claims (claims and their evidence bundle), outcomes (the periodic recompute)."""
