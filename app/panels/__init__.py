"""Expert panels (专家组), shared by complaint arbitration and the rating review panels:
drawing a panel without conflicts of interest from a reproducible seed, seating it in a
case (the first drawn chairs it), keeping affiliated experts from judging, and listing the
panel's parallel opinions before the chair decides. No models of its own; no domain imports."""
