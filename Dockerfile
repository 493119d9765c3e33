FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext postgresql-client \
    libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk poppler-utils && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=1 python manage.py collectstatic --noinput && DEBUG=1 python manage.py compilemessages -l zh_Hans --ignore=.venv
RUN useradd --create-home portal && mkdir -p /app/media /app/private_files && chown portal /app/media /app/private_files
USER portal
EXPOSE 8000
CMD ["gunicorn", "carbon_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
